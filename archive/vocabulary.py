"""The Chinese names of the codes the archive stores (kinds, stages, fields) and the
bands it counts by: one home for the store, the pages, the exports and the feed."""

#: individual | team as pages and exports name them.
KIND_LABELS = {"individual": "个人", "team": "班组"}
#: A notice's stage, as a page heading or facet names it.
STAGE_LABELS = {"candidates": "候选人公示", "honorees": "表彰获奖"}
#: An entry's stage in a sentence or a table cell: what the person is.
STAGE_ROLES = {"candidates": "候选人", "honorees": "获表彰"}
#: Entry fields as pages name them.
FIELD_LABELS = {"name": "姓名/班组名称", "gender": "性别", "ethnicity": "民族", "birth": "出生年月",
                "education": "学历",
                "position": "职务", "unit": "单位", "company": "推荐单位", "operator": "运营商",
                "region": "地区", "team_category": "班组类别", "team_size": "班组人数",
                "citation": "申报说明材料"}
#: Age at award (the cycle's last year minus the birth year) and team size bands:
#: the statistics count by them and the cycle browse filters by them.
AGE_BANDS = {"<30": (None, 29), "30-39": (30, 39), "40-49": (40, 49), "50+": (50, None)}
SIZE_BANDS = {"<10": (None, 9), "10-29": (10, 29), "30-99": (30, 99), "100+": (100, None)}

#: What a filter or a count calls an entry that does not say (no region in its unit).
UNSTATED = "未注明"
#: Provinces in the official order (GB/T 2260), as filters list them.
REGION_ORDER = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏",
                "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南",
                "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾",
                "香港", "澳门")
