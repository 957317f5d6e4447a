"""The built-in "six-in-one" community party-building rubric template.

Its shape follows the Wuzhong scheme in the seed documents (6 categories
weighted 20/20/15/15/15/15, 23 items, 100 points); the labels are the
project's own short bilingual summaries.
"""

from __future__ import annotations

from decimal import Decimal

from domain.rubrics import Indicator, RubricCategory, RubricItem, RubricStructure

Ind = Indicator

_CATEGORIES: list[tuple[str, str, str, list[tuple[str, str, int, Indicator | None]]]] = [
    (
        "cadres",
        "干部培养管理",
        "Cadre development",
        [
            ("书记学历与职业资格达标", "Secretaries' qualifications", 6, None),
            ("书记主任一肩挑、交叉任职", "Combined and cross-held posts", 6, None),
            ("干部年度集中培训", "Annual cadre training", 4, None),
            ("青年干部学历提升", "Further education of young cadres", 4, None),
        ],
    ),
    (
        "commitments",
        "公开承诺",
        "Public commitments",
        [
            ("承诺书制定与党员参与", "Commitment letters and member take-up", 4, None),
            ("通过会议文件公开栏公开承诺", "Commitments published", 4, None),
            ("挂牌上岗与履诺进度表", "Badges and progress schedules", 4, None),
            ("群众满意率达90%", "Resident satisfaction of 90%", 4, Ind.COMMITMENT_SATISFACTION),
            ("服务群众创新举措", "Innovation in serving residents", 4, None),
        ],
    ),
    (
        "brand",
        "党建品牌培育",
        "Party-building brand",
        [
            ("品牌计划、检查、验收", "Brand planned, checked, accepted", 5, None),
            ("创新项目研究探索", "Innovation projects", 5, None),
            ("至少一个党建品牌", "At least one brand", 5, None),
        ],
    ),
    (
        "residence",
        "居住地发挥作用",
        "Members serving where they live",
        [
            ("设置服务岗位搭建平台", "Service posts offered", 4, None),
            ("在职党员参与公益活动", "In-service members' activities", 4, None),
            ("结对帮扶与走访慰问", "Pairing and visits", 4, None),
            (
                "参与率超60%、两月一次集中服务",
                "Participation over 60%, bimonthly activity",
                3,
                Ind.POST_PARTICIPATION,
            ),
        ],
    ),
    (
        "classification",
        "党员分类管理",
        "Member classification",
        [
            ("三类党员花名册与流动登记", "Rosters and floating-member records", 5, None),
            ("三会一课等制度落实", "Regular party life", 5, None),
            ("党建联络员制度", "Party-building liaisons", 5, None),
        ],
    ),
    (
        "leadership",
        "领导管理机制",
        "Leadership network",
        [
            ("完善1+3组织网络", "The 1+3 network", 4, Ind.RESOLUTIONS_ON_TIME),
            (
                "联席会议每年两次以上并发挥作用",
                "Joint meetings twice a year, effective",
                4,
                Ind.MEETING_ATTENDANCE_RATE,
            ),
            ("业委会物业负责人进班子", "Owners' and property leaders in the committee", 4, None),
            ("领导管理创新举措", "Innovation in leadership", 3, None),
        ],
    ),
]

CATEGORY_WEIGHTS = {
    "cadres": 20,
    "commitments": 20,
    "brand": 15,
    "residence": 15,
    "classification": 15,
    "leadership": 15,
}


def six_in_one() -> RubricStructure:
    """The six-in-one rubric: 6 categories, 23 items, 100 points."""
    categories = []
    number = 0
    for key, zh, en, items in _CATEGORIES:
        rubric_items = []
        for item_zh, item_en, points, indicator in items:
            number += 1
            rubric_items.append(
                RubricItem(f"{number:02d}", item_zh, item_en, Decimal(points), indicator)
            )
        categories.append(
            RubricCategory(key, zh, en, Decimal(CATEGORY_WEIGHTS[key]), tuple(rubric_items))
        )
    return RubricStructure(Decimal(100), tuple(categories))
