"""Plausible Chinese names and mobile numbers for demo people (made up, deterministic)."""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉凤淑珍建国建华志强国庆海燕丽娟晓明文杰春梅红霞德胜宝山俊峰雅琴慧敏振华丽华永红金花小龙秀兰凤英淑芬志刚立新"


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


class Phones:
    """Unique 11-digit mainland mobile numbers."""

    def __init__(self, rng: random.Random, prefix: str = "139") -> None:
        self._used: set[str] = set()
        self._rng = rng
        self._prefix = prefix

    def next(self) -> str:
        while True:
            number = f"1{self._rng.choice('3456789')}{self._rng.randrange(10**9):09d}"
            if number not in self._used:
                self._used.add(number)
                return number
