"""Vocational majors the demo schools teach, and the kinds of school that teach them.

Codes follow the shape of the national catalogue (6 digits: 6xxxxx for secondary and
technical schools, 4xxxxx/5xxxxx for higher vocational colleges); they are plausible, not
an authoritative copy of the catalogue. Industry codes are those of the Wuxi policy file.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueMajor:
    key: str
    secondary: tuple[str, str] | None  # (code, name) taught by secondary and technical schools
    higher: tuple[str, str] | None  # (code, name) taught by higher vocational colleges
    industries: tuple[str, ...]  # 1–2 of the policy's industries


_MAJORS = [
    CatalogueMajor("machining", ("660101", "机械制造技术"), ("460101", "机械制造及自动化"),
                   ("high_end_equipment",)),
    CatalogueMajor("cnc", ("660103", "数控技术应用"), ("460103", "数控技术"),
                   ("high_end_equipment",)),
    CatalogueMajor("mould", ("660105", "模具制造技术"), ("460113", "模具设计与制造"),
                   ("high_end_equipment", "new_materials")),
    CatalogueMajor("welding", ("660107", "焊接技术应用"), ("460110", "智能焊接技术"),
                   ("high_end_equipment",)),
    CatalogueMajor("mechatronics", ("660301", "机电技术应用"), ("460301", "机电一体化技术"),
                   ("high_end_equipment",)),
    CatalogueMajor("electrical", ("660302", "电气设备运行与控制"), ("460306", "电气自动化技术"),
                   ("high_end_equipment", "energy_saving")),
    CatalogueMajor("robotics", ("660303", "工业机器人技术应用"), ("460305", "工业机器人技术"),
                   ("high_end_equipment", "next_gen_it")),
    CatalogueMajor("car_making", ("660701", "汽车制造与检测"), ("460701", "汽车制造与试验技术"),
                   ("new_energy_vehicles", "high_end_equipment")),
    CatalogueMajor("nev_making", ("660702", "新能源汽车制造与检测"), ("460702", "新能源汽车技术"),
                   ("new_energy_vehicles",)),
    CatalogueMajor("car_repair", ("700206", "汽车运用与维修"), ("500211", "汽车检测与维修技术"),
                   ("new_energy_vehicles",)),
    CatalogueMajor("nev_repair", ("700209", "新能源汽车运用与维修"),
                   ("500212", "新能源汽车检测与维修技术"), ("new_energy_vehicles",)),
    CatalogueMajor("metro_ops", ("700603", "城市轨道交通运营服务"),
                   ("500606", "城市轨道交通运营管理"), ("rail_transit",)),
    CatalogueMajor("metro_vehicles", ("700601", "城市轨道交通车辆运用与检修"),
                   ("500601", "城市轨道交通车辆技术"), ("rail_transit", "high_end_equipment")),
    CatalogueMajor("electronics", ("710101", "电子技术应用"), ("510101", "电子信息工程技术"),
                   ("next_gen_it",)),
    CatalogueMajor("iot", ("710102", "物联网技术应用"), ("510102", "物联网应用技术"),
                   ("next_gen_it",)),
    CatalogueMajor("computing", ("710201", "计算机应用"), ("510201", "计算机应用技术"),
                   ("next_gen_it", "service_outsourcing")),
    CatalogueMajor("networking", ("710202", "计算机网络技术"), ("510202", "计算机网络技术"),
                   ("next_gen_it",)),
    CatalogueMajor("software", ("710203", "软件与信息服务"), ("510203", "软件技术"),
                   ("next_gen_it", "service_outsourcing")),
    CatalogueMajor("digital_media", ("710204", "数字媒体技术应用"), ("510204", "数字媒体技术"),
                   ("cultural_creative", "next_gen_it")),
    CatalogueMajor("big_data", ("710205", "大数据技术应用"), ("510205", "大数据技术"),
                   ("next_gen_it", "service_outsourcing")),
    CatalogueMajor("animation", ("750109", "动漫与游戏制作"), ("510206", "动漫制作技术"),
                   ("cultural_creative",)),
    CatalogueMajor("accounting", ("730301", "会计事务"), ("530302", "大数据与会计"),
                   ("financial_services",)),
    CatalogueMajor("finance", ("730201", "金融事务"), ("530201", "金融服务与管理"),
                   ("financial_services",)),
    CatalogueMajor("e_commerce", ("730701", "电子商务"), ("530701", "电子商务"),
                   ("e_commerce", "trade_logistics")),
    CatalogueMajor("cross_border", ("730702", "跨境电子商务"), ("530702", "跨境电子商务"),
                   ("e_commerce",)),
    CatalogueMajor("logistics", ("730801", "物流服务与管理"), ("530802", "现代物流管理"),
                   ("trade_logistics",)),
    CatalogueMajor("marketing", ("730601", "市场营销"), ("530605", "市场营销"),
                   ("trade_logistics",)),
    CatalogueMajor("chain_stores", ("730602", "连锁经营与管理"), ("530604", "连锁经营与管理"),
                   ("trade_logistics", "e_commerce")),
    CatalogueMajor("tourism", ("740101", "旅游服务与管理"), ("540101", "旅游管理"),
                   ("tourism_leisure",)),
    CatalogueMajor("hotel", ("740104", "高星级饭店运营与管理"),
                   ("540106", "酒店管理与数字化运营"), ("tourism_leisure",)),
    CatalogueMajor("cooking", ("740201", "中餐烹饪"), ("540202", "烹饪工艺与营养"),
                   ("tourism_leisure",)),
    CatalogueMajor("crafts", ("750101", "工艺美术"), ("550105", "工艺美术品设计"),
                   ("cultural_creative",)),
    CatalogueMajor("ceramics", ("750106", "陶瓷工艺"), ("550110", "陶瓷设计与工艺"),
                   ("cultural_creative", "new_materials")),
    CatalogueMajor("textiles", ("680401", "纺织技术与服务"), ("480401", "现代纺织技术"),
                   ("textiles_apparel",)),
    CatalogueMajor("garments", ("680402", "服装设计与工艺"), ("480403", "服装设计与工艺"),
                   ("textiles_apparel", "cultural_creative")),
    CatalogueMajor("chemicals", ("670201", "化学工艺"), ("470201", "应用化工技术"),
                   ("new_materials", "energy_saving")),
    CatalogueMajor("polymers", ("630601", "高分子材料加工技术"),
                   ("430603", "高分子材料智能制造技术"), ("new_materials",)),
    CatalogueMajor("photovoltaics", ("630103", "光伏工程技术与应用"), ("430104", "光伏工程技术"),
                   ("new_energy_vehicles", "energy_saving")),
    CatalogueMajor("environment", ("620801", "环境治理技术"), ("420802", "环境工程技术"),
                   ("energy_saving",)),
    CatalogueMajor("pharma", ("720301", "药剂"), ("490204", "药品生产技术"),
                   ("biopharma",)),
    CatalogueMajor("bio_pharma", None, ("470102", "生物制药技术"), ("biopharma",)),
    CatalogueMajor("nursing", ("720201", "护理"), ("520201", "护理"), ("elderly_care",)),
    CatalogueMajor("rehab", ("720601", "康复技术"), ("520601", "康复治疗技术"),
                   ("elderly_care",)),
    CatalogueMajor("elderly_care", ("790301", "智慧健康养老服务"),
                   ("590302", "智慧健康养老服务与管理"), ("elderly_care", "community_management")),
    CatalogueMajor("community", ("790201", "社区公共事务管理"), ("590201", "社区管理与服务"),
                   ("community_management",)),
    CatalogueMajor("childcare", ("770101", "幼儿保育"), ("590301", "婴幼儿托育服务与管理"),
                   ("community_management",)),
    CatalogueMajor("greenhouse", ("610103", "设施农业生产技术"), ("410103", "设施农业与装备"),
                   ("modern_agriculture",)),
    CatalogueMajor("landscape", ("610202", "园林技术"), ("410202", "园林技术"),
                   ("modern_agriculture", "tourism_leisure")),
    CatalogueMajor("tea", ("610106", "茶叶生产与加工"), ("410106", "茶叶生产与加工技术"),
                   ("modern_agriculture",)),
]

MAJORS: dict[str, CatalogueMajor] = {m.key: m for m in _MAJORS}


@dataclass(frozen=True)
class Domain:
    """What a school is known for: the word in its name and the majors it mostly teaches."""

    word: str
    majors: tuple[str, ...]


DOMAINS: dict[str, Domain] = {
    "mechatronics": Domain("机电", ("machining", "cnc", "mould", "welding", "mechatronics",
                                    "electrical", "robotics")),
    "information": Domain("信息", ("electronics", "iot", "computing", "networking", "software",
                                   "big_data", "digital_media")),
    "electronics": Domain("电子", ("electronics", "iot", "electrical", "computing", "robotics")),
    "commerce": Domain("商贸", ("accounting", "finance", "e_commerce", "cross_border",
                                "logistics", "marketing", "chain_stores")),
    "transport": Domain("交通", ("metro_ops", "metro_vehicles", "car_repair", "nev_repair",
                                 "logistics")),
    "automotive": Domain("汽车", ("car_making", "nev_making", "car_repair", "nev_repair", "cnc")),
    "tourism": Domain("旅游", ("tourism", "hotel", "cooking", "landscape", "marketing")),
    "arts": Domain("工艺美术", ("crafts", "ceramics", "animation", "digital_media", "garments")),
    "textiles": Domain("纺织服装", ("textiles", "garments", "e_commerce", "marketing")),
    "health": Domain("卫生", ("nursing", "rehab", "pharma", "elderly_care")),
    "chemicals": Domain("化工", ("chemicals", "polymers", "pharma", "environment")),
    "energy": Domain("能源", ("photovoltaics", "electrical", "environment", "nev_making")),
    "agriculture": Domain("农林", ("greenhouse", "landscape", "tea", "e_commerce")),
    "ceramics": Domain("陶瓷", ("ceramics", "crafts", "polymers", "e_commerce")),
    "social": Domain("社会服务", ("childcare", "elderly_care", "community", "nursing")),
    "general": Domain("", ("cnc", "mechatronics", "computing", "accounting", "e_commerce",
                           "tourism", "childcare")),
}

# Majors any school may add beside its own domain's.
COMMON_MAJORS = ("computing", "accounting", "e_commerce", "mechatronics", "logistics",
                 "digital_media", "marketing")

# Which domains each kind of school draws from, and the local specialities of some regions.
DOMAINS_OF_TYPE = {
    "higher_vocational": ("information", "mechatronics", "commerce", "transport", "health",
                          "arts", "tourism", "chemicals"),
    "secondary_vocational": ("mechatronics", "information", "commerce", "tourism", "arts",
                             "health", "social", "general", "general", "textiles"),
    "technical": ("mechatronics", "automotive", "electronics", "transport", "energy"),
}
REGION_DOMAINS = {
    "jiangyin": ("textiles", "chemicals"),
    "yixing": ("ceramics", "agriculture"),
    "xinwu": ("electronics",),
    "huishan": ("agriculture",),
}


def major_entry(major: CatalogueMajor, institution_type: str) -> tuple[str, str] | None:
    """(code, name) of a catalogue major at a school of this type, or None if not taught there."""
    return major.higher if institution_type == "higher_vocational" else major.secondary
