"""Synthetic names and labels for bylines, credits and kickers.

Names are drawn from small built-in lists so nothing real is attributed to a
real person and no data has to be downloaded.
"""

from __future__ import annotations

import random

_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_ZH_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞"
    "建国志海波宁宇晨浩然思远佳怡欣悦雪梅"
    "春燕晓东亮辉斌俊峰婷颖琳丹丁香新民永安文博雅琪子涵梓轩一鸣嘉"
    "豪家乐天佑宏伟立新德胜振华"
)
_EN_FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Helen",
    "Paul",
    "Sandra",
    "Steven",
    "Donna",
    "Andrew",
    "Carol",
    "Kenneth",
    "Ruth",
    "Kevin",
    "Sharon",
    "Brian",
    "Michelle",
    "George",
    "Laura",
    "Edward",
    "Emily",
    "Ronald",
    "Kimberly",
    "Timothy",
    "Deborah",
    "Jason",
    "Amy",
    "Jeffrey",
    "Angela",
    "Ryan",
    "Anna",
    "Gary",
]
_EN_LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Hill",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
    "Evans",
    "Edwards",
    "Collins",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Reed",
]
_ZH_PLACES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "江华",
    "株洲",
    "长沙",
    "杭州",
    "南京",
    "成都",
    "武汉",
    "西安",
    "郑州",
    "济南",
    "福州",
    "厦门",
    "深圳",
    "广州",
    "昆明",
    "贵阳",
    "兰州",
    "银川",
    "西宁",
    "拉萨",
    "乌鲁木齐",
    "呼和浩特",
    "哈尔滨",
    "长春",
    "沈阳",
    "石家庄",
    "太原",
    "合肥",
    "南昌",
    "南宁",
    "海口",
    "青岛",
    "大连",
    "宁波",
    "苏州",
    "无锡",
    "温州",
    "洛阳",
    "桂林",
    "三亚",
    "喀什",
    "延边",
    "本市",
    "综合",
    "要闻",
    "关注",
    "聚焦",
    "观察",
]
_EN_KICKERS = [
    "Markets",
    "Business",
    "Economy",
    "Energy",
    "Commodities",
    "Banking",
    "Trade",
    "Companies",
    "World",
    "Finance",
    "Metals",
    "Agriculture",
    "Currencies",
    "Earnings",
    "Tokyo",
    "London",
    "Chicago",
    "Washington",
    "Frankfurt",
    "Zurich",
    "Paris",
    "Sydney",
    "Toronto",
    "Hong",
    "Kong",
    "Singapore",
    "Brussels",
]


def zh_name(rng: random.Random, pad: bool = False) -> str:
    """A random Chinese name; two-char names optionally padded as in print (``张 咪``)."""
    surname = rng.choice(_ZH_SURNAMES)
    given = "".join(rng.choice(_ZH_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    if pad and len(given) == 1:
        return f"{surname} {given}"
    return surname + given


def en_name(rng: random.Random) -> str:
    return f"{rng.choice(_EN_FIRST)} {rng.choice(_EN_LAST)}"


def en_initial_name(rng: random.Random) -> str:
    return f"{rng.choice(_EN_FIRST)[0]}. {rng.choice(_EN_LAST)}"


def zh_byline(rng: random.Random) -> str:
    names = [zh_name(rng, pad=True) for _ in range(rng.randint(1, 4))]
    prefix = rng.choice(("", "", "本报记者 ", "记者 ", "通讯员 "))
    return prefix + " ".join(names)


def en_byline(rng: random.Random) -> str:
    names = [en_name(rng) for _ in range(rng.randint(1, 2))]
    joined = " and ".join(names)
    return rng.choice((f"By {joined}", f"By {joined}", joined, f"{joined}, Staff Writer"))


def zh_trailing_credit(rng: random.Random) -> str:
    names = " ".join(zh_name(rng) for _ in range(rng.randint(1, 3)))
    return rng.choice((f"（{names}）", f"（记者 {names}）", f"（通讯员 {names}）"))


def en_trailing_credit(rng: random.Random) -> str:
    return rng.choice(
        (f"({en_name(rng)})", f"(Reporting by {en_name(rng)})", f"(Editing by {en_name(rng)})")
    )


def zh_photo_credit(rng: random.Random) -> str:
    return rng.choice((f"{zh_name(rng)} 摄", f"{zh_name(rng)}摄", f"本报记者 {zh_name(rng)} 摄"))


def en_photo_credit(rng: random.Random) -> str:
    return rng.choice(
        (
            f"Photo: {en_initial_name(rng)}",
            f"REUTERS/{en_name(rng)}",
            f"Photograph by {en_name(rng)}",
        )
    )


def zh_kicker(rng: random.Random) -> str:
    return rng.choice(_ZH_PLACES) + "："


def en_kicker(rng: random.Random) -> str:
    label = rng.choice(_EN_KICKERS)
    return (label.upper() if rng.random() < 0.5 else label) + ":"
