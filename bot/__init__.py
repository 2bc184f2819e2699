"""The only package that knows about HTTP, XML, platforms and time."""
