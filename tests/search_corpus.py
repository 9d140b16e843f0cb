"""A generated list of entries whose names, teams and units are hard to search:
digits and Latin letters inside words (深圳10086热线, VIP, 5G, IDC), district
and county units, compound surnames, minority names, homophones. Written as a
CSV notice (our export's English keys) so it goes through the real importer.

Deterministic for a seed; names are fictional.
"""

import csv
import io
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
import make_corpus  # noqa: E402

CITIES = [("广东", "深圳", "福田区"), ("广东", "广州", "天河区"), ("浙江", "杭州", "西湖区"),
          ("湖南", "长沙", "岳麓区"), ("重庆", "重庆", "渝中区"), ("四川", "成都", "武侯区"),
          ("北京", "北京", "海淀区"), ("湖南", "湘西州", "龙山县"), ("新疆", "乌鲁木齐", "天山区"),
          ("江苏", "南京", "鼓楼区")]
OPERATORS = [("中国电信", "中国电信{r}分公司", "中国电信股份有限公司{r}分公司{c}分公司{d}局"),
             ("中国移动", "中国移动{r}公司", "中国移动通信集团{r}有限公司{c}分公司{d}营业部"),
             ("中国联通", "中国联通{r}分公司", "中国联合网络通信有限公司{r}省分公司{c}市分公司")]
TEAMS = ["{c}10086热线{n}班", "{c}10000号客服中心", "{d}VIP客户服务中心", "{c}5G网络优化室",
         "{d}营业厅", "{c}政企客户部IDC运维组", "{c}12345政务热线专席", "{d}宽带装维{n}班",
         "{c}4G/5G无线网络优化中心", "{d}智慧家庭服务队", "{c}ICT解决方案支撑中心"]
# Named people the tests look for (typos, pinyin); the rest are drawn at random.
NAMED = ["谢华", "欧阳晓明", "阿依古丽·买买提", "王小二", "吕梅", "陈明霞", "李霞明"]
CYCLES = ["2017-2018", "2019-2020", "2021-2022"]
# One sentence a cycle's citations share: what that cycle talked about.
CYCLE_SENTENCES = {"2017-2018": "推进宽带提速降费，完成光纤入户改造。",
                   "2019-2020": "做好携号转网服务，保障用户携转顺畅。",
                   "2021-2022": "开展反诈宣传，守护群众钱袋子。"}
SENTENCES = ["积极开展网络建设和客户服务工作，用户满意度显著提升。",
             "建立了投诉处理流程，投诉工单处理及时率达到百分之九十九。",
             "在抗洪抢险通信保障中带队抢修基站，保障了群众的通信需求。",
             "针对老年用户使用智能手机的困难，开设适老化服务专席。",
             "坚持首问负责制，用户问题一次解决率明显提高。"]


def entries(n=120, seed=5):
    """n entry dicts (kind, name, company, unit, region, cycle, stage, citation)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        # Teams walk through every pattern and place (深圳10086热线… comes first).
        k = i // 4
        region, city, district = CITIES[k % len(CITIES)] if i % 4 == 3 else rng.choice(CITIES)
        operator, company, unit = rng.choice(OPERATORS)
        company = company.format(r=region)
        unit = unit.format(r=region, c=city, d=district)
        if i % 4 == 3:
            kind = "team"
            name = TEAMS[k % len(TEAMS)].format(c=city, d=district, n=rng.randint(1, 9))
            unit = ""
        else:
            kind = "individual"
            name = NAMED[i] if i < len(NAMED) else make_corpus.person_name(rng)
        # Citations never repeat the name or unit: a match must come from those fields.
        citation = "".join(rng.sample(SENTENCES, 3)) + CYCLE_SENTENCES[CYCLES[i % 3]]
        out.append({"kind": kind, "name": name, "company": company, "unit": unit,
                    "region": region, "operator": operator, "cycle": CYCLES[i % 3],
                    "stage": "honorees" if i % 2 else "candidates", "citation": citation})
    return out


def write_notices(folder, items):
    """One CSV notice per (cycle, stage) group of items; returns the paths."""
    groups = {}
    for e in items:
        groups.setdefault((e["cycle"], e["stage"]), []).append(e)
    paths = []
    for (cycle, stage), group in sorted(groups.items()):
        text = io.StringIO()
        text.write(f"# title: {cycle}年度全国用户满意电信服务明星名单（合成测试数据 {stage}）\n"
                   f"# publisher: 工业和信息化部\n# published: {int(cycle[-4:]) + 1}-01-15\n"
                   f"# cycle: {cycle}\n# stage: {stage}\n")
        writer = csv.writer(text)
        keys = ["kind", "name", "company", "unit", "region", "citation"]
        writer.writerow(keys)
        for e in group:
            writer.writerow([e[k] for k in keys])
        path = Path(folder) / f"search-{cycle}-{stage}.csv"
        path.write_text(text.getvalue(), "utf-8")
        paths.append(path)
    return paths
