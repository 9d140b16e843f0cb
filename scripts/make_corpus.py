"""Write a synthetic corpus of candidate-list notices, shaped like the seed.

    python scripts/make_corpus.py N --seed S OUT_DIR

N entries' worth of notices (.txt, the seed's layout), one per province,
cycle and stage-less candidate list; about 1,500 characters of citation per
entry; names drawn by real surname and given-name frequencies; companies of
three operators and others across 31 provinces; 10 award cycles;
individuals and teams. Deterministic for a seed. Every title says 合成数据
so that no notice can be mistaken for a real one. Also writes
``expected.json``: each entry's name, operator, region, cycle and kind,
for recall measurements.
"""

import argparse
import json
import random
from pathlib import Path

from archive.ingest.fields import PROVINCES

# The most common surnames with their approximate shares (per cent).
SURNAMES = [("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1),
            ("黄", 2.2), ("赵", 2.0), ("吴", 2.0), ("周", 1.9), ("徐", 1.3), ("孙", 1.3),
            ("马", 1.2), ("朱", 1.1), ("胡", 1.0), ("郭", 1.0), ("何", 0.9), ("高", 0.9),
            ("林", 0.9), ("罗", 0.9), ("郑", 0.8), ("梁", 0.8), ("谢", 0.6), ("宋", 0.5),
            ("唐", 0.5), ("许", 0.5), ("韩", 0.5), ("冯", 0.4), ("邓", 0.4), ("曹", 0.4),
            ("彭", 0.4), ("曾", 0.4), ("肖", 0.4), ("田", 0.4), ("董", 0.4), ("袁", 0.3),
            ("潘", 0.3), ("于", 0.3), ("蒋", 0.3), ("蔡", 0.3), ("余", 0.3), ("杜", 0.3),
            ("叶", 0.3), ("程", 0.3), ("苏", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3),
            ("任", 0.3), ("沈", 0.3), ("姚", 0.2), ("卢", 0.2), ("姜", 0.2), ("崔", 0.2),
            ("钟", 0.2), ("谭", 0.2), ("陆", 0.2), ("汪", 0.2), ("范", 0.2), ("金", 0.2),
            ("欧阳", 0.05), ("司马", 0.01), ("上官", 0.01)]
# Characters common in given names, most frequent first (weights fall off).
GIVEN = ("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 华 玉 萍 红 "
         "鹏 辉 建 文 斌 宇 浩 凯 健 俊 帆 帅 旭 宁 龙 林 欣 佳 鑫 雪 婷 倩 颖 琳 晶 丹 "
         "玲 燕 蕾 慧 晨 阳 思 雨 博 志 海 峰 波 亮 飞 春 梅 兰 新 立 国 东 晓 小 一 子 "
         "文 可 心 然 嘉 悦 诗 涵 梓 睿 泽 晗 瑞 昊 宏 晖 毅 彬 琪 璐 莉 茜 蓉 薇 菲 露").split()
OPERATORS = [("中国联通", "联通", "中国联合网络通信有限公司{p}省分公司", 0.3),
             ("中国电信", "电信", "中国电信股份有限公司{p}分公司", 0.33),
             ("中国移动", "移动", "中国移动通信集团{p}有限公司", 0.33),
             ("中国铁塔", "铁塔", "中国铁塔股份有限公司{p}省分公司", 0.02),
             ("中国广电", "广电网络", "{p}广电网络股份有限公司", 0.02)]
CYCLES = [f"{y}-{y + 1}" for y in range(2000, 2020, 2)]
EDUCATION = ["大学本科", "大专", "硕士研究生", "中专", "高中", "大学本科", "大学本科"]
POSITIONS = ["班长", "值班经理", "客户经理", "营业厅店长", "装维工程师", "投诉处理专员",
             "网络优化工程师", "线路维护员", "话务员", "营业员", "技术主管", "服务经理"]
TEAM_KINDS = ["客户服务", "投诉处理", "一线基层组织", "网络维护", "营业服务", "装维服务"]
TEAM_NAMES = ["{c}营业中心服务班组", "{c}10086热线{n}班", "{c}装维{n}组", "{c}投诉处理中心",
              "{c}政企客户服务部", "{c}网络维护中心{n}班组", "{c}智慧家庭服务队", "{c}营业厅"]
CITIES = ["城东", "城西", "开发区", "高新区", "新城", "滨江", "南湖", "北城", "东湖", "西山",
          "中心城区", "临港", "经开区", "老城", "江北", "河西"]
# Sentence templates: {n} the honoree, {c} a place, {u} the unit, {k} a number.
SENTENCES = [
    "{n}自{y}年进入公司以来，一直扎根服务一线，从事装维、客服等工作。",
    "该同志在工作中积极勤奋、认真负责，迅速成长为具有丰富实践经验的业务骨干。",
    "面对日益扩大的用户群，{n}勇于接受挑战，直面客户诉求，以持续改善客户体验为己任。",
    "建立了投诉处理流程及投诉处理质量管控机制，投诉工单处理及时率达到{k}%以上。",
    "在{c}宽带网络改造中，{n}牵头完成光纤入户{k}余户，用户满意度显著提升。",
    "为了保障重大活动期间的通信畅通，{n}连续奋战{k}个小时，圆满完成保障任务。",
    "{n}注重团队建设，组织各类业务培训{k}场，带动身边同事共同进步。",
    "针对老年用户使用智能手机的困难，{n}在{c}营业厅开设适老化服务专席。",
    "在抗洪抢险通信保障中，{n}带队抢修基站{k}座，保障了受灾群众的通信需求。",
    "通过建立用户投诉案例库，累计分享典型案例{k}例，有效提升了投诉人员的处理能力。",
    "{u}在{n}的带领下，客户投诉量同比下降{k}%，服务质量万投率进步明显。",
    "{n}时刻牢记“客户为根、服务为本”，用心服务每一位用户，赢得了用户的信任与信赖。",
    "在5G网络建设中，{n}主动承担{c}区域的网络优化工作，下载速率提升{k}%。",
    "作为班组长，{n}坚持以身作则，遇到困难从不退缩，别人不愿意做的工作主动承担。",
    "他深入研究ADSL和光纤线路的故障规律，总结出一套快速排障的方法，平均修复时长缩短{k}分钟。",
    "她坚持换位思考，站在客户的角度上思考问题，把每一次来电都当作改进服务的机会。",
    "在疫情防控期间，{n}坚守岗位，为方舱医院和隔离点开通宽带专线{k}条。",
    "{n}荣获{y}年度公司“先进工作者”称号，并多次获得省公司服务标兵称号。",
    "班组推行首问负责制，用户问题一次解决率达到{k}%，得到了用户的广泛好评。",
    "为提升营业厅服务水平，{n}制定了服务提升计划，开展服务礼仪、业务知识和营销技巧培训。",
    "在{c}社区开展通信知识进社区活动{k}次，帮助用户识别电信网络诈骗。",
    "{n}积极参与智慧家庭工程师技能竞赛，以总成绩第{k}名的成绩获得技术能手称号。",
    "面对突发的光缆中断故障，{n}第一时间赶到现场，{k}小时内恢复了全部业务。",
    "近两年来，{u}未发生工信部申诉工单转办落责情况，投诉处理工作持续向好。",
    "{n}建立了有投诉升级倾向用户的绿色通道，缩短响应时间，提出解决意见和建议。",
    "不管是工作时间还是八小时之外，只要用户有需要，{n}总是随叫随到。",
]


def _weighted(rng, items):
    total = sum(w for _, w in items)
    x = rng.uniform(0, total)
    for value, weight in items:
        x -= weight
        if x <= 0:
            return value
    return items[-1][0]


def person_name(rng):
    """A name with a realistic surname distribution and a 1-2 character given name."""
    surname = _weighted(rng, SURNAMES)
    k = len(GIVEN)
    pick = lambda: GIVEN[min(int(rng.expovariate(4.0 / k)), k - 1)]  # noqa: E731
    return surname + pick() + (pick() if rng.random() < 0.7 else "")


def citation(rng, name, unit, chars=1500):
    """About `chars` characters of citation in paragraphs."""
    paragraphs, size = [], 0
    while size < chars:
        para = "".join(rng.choice(SENTENCES).format(
            n=name, c=rng.choice(CITIES), u=unit, k=rng.randint(2, 98), y=rng.randint(2005, 2020))
            for _ in range(rng.randint(3, 6)))
        paragraphs.append(para)
        size += len(para)
    return paragraphs


def make(n, seed, out, notices=None):
    """Write notices for n entries into folder `out` (spread over every cycle and
    province, or over the first `notices` of them); returns the file count."""
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    slots = [(cycle, province) for cycle in CYCLES for province in PROVINCES]
    if notices:
        slots = rng.sample(slots, notices)
    counts = [n // len(slots) + (1 if i < n % len(slots) else 0) for i in range(len(slots))]
    expected = []
    files = 0
    for (cycle, province), count in zip(slots, counts):
        if not count:
            continue
        start = int(cycle[:4])
        lines = [
            "当前位置: 首页 >> 通知公告 >> 正文",
            f"“全国用户满意电信服务明星”“全国用户满意电信服务明星班组”候选人名单公示（合成数据 第{seed}组）",
            f"  来源: {province}省通信管理局  日期:{start + 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "",
            f"根据工信部《关于开展{cycle}年度电信服务评比表彰活动的通知》要求，现将我省推荐情况予以公示。本通知为合成测试数据。",
            "",
        ]
        by_operator = {}
        for _ in range(count):
            by_operator.setdefault(_weighted(rng, [(o, o[3]) for o in OPERATORS]), []).append(0)
        section = 0
        for operator, items in by_operator.items():
            group, short, unit_pattern, _ = operator
            company = f"{group}{province}分公司"
            section += 1
            lines += [f"{'一二三四五六七八九十'[section - 1]}、{company}推荐情况如下:", ""]
            for _ in items:
                city = rng.choice(CITIES)
                unit = unit_pattern.format(p=province) + f"{city}分公司"
                if rng.random() < 0.2:
                    name = rng.choice(TEAM_NAMES).format(c=city, n=rng.randint(1, 9))
                    kind = "team"
                    lines += [f"全国用户满意电信服务明星班组{company}", "", f"班组名称:{name}", "",
                              f"班组类别:{rng.choice(TEAM_KINDS)}", "",
                              f"班组人数:{rng.randint(8, 120)}", ""]
                else:
                    name = person_name(rng)
                    kind = "individual"
                    birth = f"{rng.randint(1965, 1998)}.{rng.randint(1, 12)}" + (
                        f".{rng.randint(1, 28)}" if rng.random() < 0.7 else "")
                    lines += [f"全国用户满意电信服务明星{company}", "", f"姓名:{name}", "",
                              f"性别:{rng.choice('男女')}", "", f"出生年月:{birth}", "",
                              f"学历:{rng.choice(EDUCATION)}", "", f"职务:{rng.choice(POSITIONS)}",
                              "", f"单位:{unit}", ""]
                lines += ["申报说明材料:", ""]
                for para in citation(rng, name, unit):
                    lines += [para, ""]
                expected.append({"name": name, "kind": kind, "operator": group,
                                 "region": province, "cycle": cycle, "company": company})
        lines += ["主办单位: 合成数据 版权所有"]
        path = out / f"synthetic-{seed}-{cycle}-{PROVINCES.index(province):02d}.txt"
        path.write_text("\n".join(lines) + "\n", "utf-8")
        files += 1
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False), "utf-8")
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of entries")
    parser.add_argument("out", help="output folder")
    parser.add_argument("--seed", type=int, default=1, help="random seed (deterministic output)")
    args = parser.parse_args()
    files = make(args.n, args.seed, args.out)
    print(f"wrote {files} notices with {args.n} entries to {args.out}")


if __name__ == "__main__":
    main()
