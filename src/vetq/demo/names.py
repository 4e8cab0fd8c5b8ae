"""Word lists the demo draws fictional names from: places, people, companies, titles."""

# The city-level prefix a name carries: districts say 无锡, county-level cities their own name.
CITY_PREFIX = {
    "liangxi": "无锡", "xishan": "无锡", "huishan": "无锡", "binhu": "无锡", "xinwu": "无锡",
    "jiangyin": "江阴", "yixing": "宜兴",
}

# Administrative division codes (行政区划代码), used to shape school and credit codes.
ADMIN_CODE = {
    "liangxi": "320213", "xishan": "320205", "huishan": "320206", "binhu": "320211",
    "xinwu": "320214", "jiangyin": "320281", "yixing": "320282",
}

# Local place words a school may be named after, by region.
PLACES = {
    "liangxi": ("梁溪", "南禅", "清名", "崇文", "运河", "惠泉", "广瑞"),
    "xishan": ("锡山", "东亭", "安镇", "厚桥", "鹅湖", "锡东"),
    "huishan": ("惠山", "堰桥", "洛社", "玉祁", "钱桥", "阳山"),
    "binhu": ("滨湖", "蠡湖", "太湖", "马山", "雪浪", "荣巷"),
    "xinwu": ("新吴", "梅村", "鸿山", "硕放", "旺庄", "新安"),
    "jiangyin": ("华澄", "澄江", "暨阳", "璜土", "长泾", "青阳", "祝塘"),
    "yixing": ("陶都", "荆溪", "丁蜀", "宜城", "和桥", "张渚", "阳羡"),
}

# How each kind of school names itself.
SCHOOL_SUFFIXES = {
    "higher_vocational": ("职业技术学院", "职业学院"),
    "secondary_vocational": ("中等专业学校", "职业学校", "中等职业学校"),
    "technical": ("技师学院", "高级技工学校", "技工学校"),
}

# Common surnames, with the ones frequent around Wuxi (钱, 顾, 华, 过, 浦, 荣) included.
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "朱", "胡", "高",
    "林", "郑", "谢", "唐", "许", "沈", "蒋", "陆", "顾", "钱", "秦", "华", "薛", "过", "浦",
    "荣", "尤", "邹", "吕", "丁", "任", "姚", "曹", "袁", "潘", "宋", "范", "金", "汤", "缪",
)
# Characters of given names, as they are commonly used for men and for women.
GIVEN_MALE = (
    "建", "国", "明", "华", "伟", "军", "平", "志", "强", "勇", "文", "杰", "涛", "斌", "峰",
    "磊", "俊", "宏", "亮", "新", "立", "正", "德", "培", "荣", "海", "洪", "彬", "刚", "锋",
    "东", "波", "凯", "鑫", "卫", "民", "晨", "浩", "宇", "春",
)
GIVEN_FEMALE = (
    "晓", "丽", "静", "敏", "燕", "红", "芳", "娟", "霞", "琳", "婷", "雪", "慧", "玉", "春",
    "秋", "云", "雯", "颖", "洁", "宁", "嘉", "怡", "倩", "萍", "珍", "兰", "梅", "莉", "君",
)

# Professional titles, by where an expert works.
TITLES = {
    "higher_vocational": (("教授", 2), ("副教授", 5), ("高级工程师", 1)),
    "secondary_vocational": (("正高级讲师", 2), ("高级讲师", 6), ("高级实习指导教师", 1)),
    "technical": (("正高级讲师", 1), ("高级讲师", 4), ("高级实习指导教师", 2), ("高级技师", 2)),
    "enterprise": (("高级工程师", 6), ("正高级工程师", 2), ("高级技师", 2)),
    "enterprise_services": (("高级经济师", 4), ("正高级经济师", 1), ("高级会计师", 1)),
}

# Made-up company brand words.
BRANDS = (
    "华锐", "恒通", "锡达", "澄鑫", "宏远", "天衡", "瑞丰", "博宇", "凯晟", "润泽", "嘉禾",
    "明扬", "远帆", "卓睿", "金穗", "禾源", "泰和", "聚能", "弘毅", "星联", "蓝湾", "溪岸",
)
# What a company of each industry calls its business, and the second industry it may serve.
BUSINESS = {
    "next_gen_it": (("软件技术", "service_outsourcing"), ("物联网科技", None), ("信息技术", None)),
    "high_end_equipment": (("精密机械", None), ("智能装备", "next_gen_it"), ("数控机床", None)),
    "energy_saving": (("环保科技", None), ("节能技术", "new_materials")),
    "biopharma": (("生物医药", None), ("药业", None)),
    "new_energy_vehicles": (("新能源汽车零部件", "high_end_equipment"),
                            ("动力电池", "new_materials")),
    "new_materials": (("新材料科技", None), ("特种合金", "high_end_equipment")),
    "textiles_apparel": (("纺织服饰", None), ("毛纺", None)),
    "rail_transit": (("轨道交通装备", "high_end_equipment"), ("轨道交通技术", None)),
    "trade_logistics": (("供应链管理", "e_commerce"), ("物流", None)),
    "service_outsourcing": (("信息服务", "next_gen_it"), ("数据服务", None)),
    "e_commerce": (("电子商务", "trade_logistics"), ("网络科技", None)),
    "financial_services": (("金融信息服务", "service_outsourcing"), ("融资租赁", None)),
    "cultural_creative": (("文化传媒", None), ("紫砂艺术", "tourism_leisure")),
    "tourism_leisure": (("旅游发展", None), ("酒店管理", None)),
    "community_management": (("物业服务", None), ("社区服务", "elderly_care")),
    "elderly_care": (("康养服务", None), ("养老服务", "community_management")),
    "modern_agriculture": (("生态农业", "tourism_leisure"), ("茶业", None)),
}
# Industries whose companies' experts hold economic rather than engineering titles.
SERVICE_INDUSTRIES = frozenset({
    "trade_logistics", "e_commerce", "financial_services", "tourism_leisure",
    "community_management", "elderly_care", "cultural_creative",
})
COMPANY_SUFFIXES = ("有限公司", "有限公司", "股份有限公司", "集团有限公司")
