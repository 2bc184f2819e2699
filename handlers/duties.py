"""Member units' duties (seed 000, 附件1 三、成员单位主要任务), used to suggest who should handle a report.

The seed says a report outside the receiving department's remit is transferred to the one
responsible (意见 三(三)8). The office decides; this list only suggests, with the duty that
makes the unit responsible, so the suggestion can be checked against the rules at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Duty:
    unit: str
    summary: str  # the seed's wording, shortened
    keywords: tuple[str, ...]  # words in a report that point to this duty
    hazards: tuple[str, ...] = ()  # hazard types that point to this duty


HEALTH = "区卫健委"

DUTIES: tuple[Duty, ...] = (
    Duty(
        HEALTH,
        "职业卫生、放射卫生政策实施，重点职业病监测，协调职业病防治工作",
        ("职业病", "体检", "职业健康检查", "诊断", "防护", "口罩", "耳塞", "医院", "诊所"),
        ("粉尘", "噪声", "化学毒物", "放射", "高温", "其他"),
    ),
    Duty("区委宣传部", "职业病防治宣传、舆论引导和监督", ("舆论", "媒体", "网络曝光", "宣传")),
    Duty(
        "区发展改革委",
        "限制淘汰职业病危害严重的落后技术、工艺、设备和材料；建设项目立项信息",
        ("落后工艺", "淘汰", "立项", "建设项目"),
    ),
    Duty("区教育局", "系统内职业健康教育", ("学校", "学生", "教师", "幼儿园")),
    Duty("区科技局", "职业病防治关键技术研究", ("科研", "技术研究")),
    Duty(
        "区工信局",
        "行业管理、技术改造、中小企业职业健康工作",
        ("技术改造", "技改", "工业企业", "工厂", "车间", "生产线"),
    ),
    Duty(
        "区民政局",
        "符合条件的职业病病人纳入低保、特困等社会救助",
        ("低保", "特困", "救助", "生活困难"),
    ),
    Duty("区财政局", "职业病防治经费；督促所监管国有企业", ("国有企业", "国企", "经费")),
    Duty(
        "区人社局",
        "劳动合同实施监管；工伤保险监督管理；职业病病人社会保障和工伤待遇",
        ("劳动合同", "合同", "工伤", "社保", "社会保险", "工资", "辞退", "开除", "待遇"),
    ),
    Duty(
        "区生态环境分局",
        "III类及以下放射源和射线装置安全监管；废弃化学品处置监管；化学污染应急监测",
        ("放射源", "射线装置", "探伤", "废弃化学品", "危废", "排放", "污染", "废水", "废气"),
        ("放射",),
    ),
    Duty(
        "区建设和交通局", "建筑活动中的职业病防治", ("工地", "建筑", "施工", "装修", "隧道", "交通")
    ),
    Duty(
        "区应急管理局",
        "协同区卫健委开展工作场所职业病危害专项整治",
        ("专项整治", "中毒", "泄漏", "爆炸", "事故", "危险化学品", "危化品"),
        ("化学毒物",),
    ),
    Duty(
        "区市场监督管理局",
        "企业和个体工商户登记注册信息；涉企行政处罚信息公示",
        ("营业执照", "无照", "个体", "登记注册", "黑作坊"),
    ),
    Duty("区医疗保障局", "职业病病人医疗保障", ("医保", "医疗费", "报销", "看病")),
    Duty(
        "区总工会",
        "依法监督职业健康工作，反映劳动者诉求，维护劳动者合法权益",
        ("工会", "维权", "集体", "多名工人", "工友"),
    ),
)

# Names people still use for the member units: former names (环保局, 安监局, 卫生局), the full
# names (人力资源和社会保障局) and neighbouring wordings. Consulted only when a name fits no unit.
UNIT_ALIASES = {
    "环保": "区生态环境分局",
    "环境保护": "区生态环境分局",
    "安监": "区应急管理局",
    "安全生产监督": "区应急管理局",
    "住建": "区建设和交通局",
    "住房和城乡建设": "区建设和交通局",
    "建委": "区建设和交通局",
    "卫生": "区卫健委",
    "卫计": "区卫健委",
    "卫健": "区卫健委",
    "疾控": "区卫健委",
    "工商": "区市场监督管理局",
    "质监": "区市场监督管理局",
    "人力资源": "区人社局",
    "社保": "区人社局",
    "劳动监察": "区人社局",
    "教体": "区教育局",
    "工信": "区工信局",
    "经信": "区工信局",
    "发改": "区发展改革委",
    "医保": "区医疗保障局",
}

LOCAL_DUTY = "属地监管，负责本辖区职业病防治监管（附件1 三、16）"


@dataclass(frozen=True)
class Suggestion:
    unit: str
    reason: str


def suggest_units(
    hazard: str, description: str, street_unit: str = "", limit: int = 3
) -> list[Suggestion]:
    """Units whose duties fit the report, best first: keyword hits, then hazard type, then 属地."""
    scored: list[tuple[int, int, Suggestion]] = []
    for order, duty in enumerate(DUTIES):
        hits = [k for k in duty.keywords if k in description]
        score = 2 * len(hits) + (1 if hazard in duty.hazards else 0)
        if score:
            reason = duty.summary + (f"，涉及：{'、'.join(hits[:3])}" if hits else "")
            scored.append((-score, order, Suggestion(duty.unit, reason)))
    scored.sort(key=lambda item: (item[0], item[1]))
    result = [s for _, _, s in scored]
    if street_unit:
        result.insert(min(1, len(result)), Suggestion(street_unit, LOCAL_DUTY))
    return result[:limit]
