"""The collective economy (集体经济与三资管理).

- The asset register (资源、资产、资金) of each village and community, with idle and low-yield assets
  tracked through revitalisation (盘活).
- Rights confirmation (确权): village applies → township reviews → district approves, one file per project.
- Property-rights transactions (产权交易): listing, public notice, bids, award, contract, payments and the
  households that benefit.
- Companies, cooperatives and workshops (强村富民公司、帮扶车间、合作社) with their years and profit
  distributions by a rule the site defines.
- Funded projects (衔接资金、东西部协作…) with their reimbursement rate (报账率).
- Collective income (集体经济收入) by village and year, the thresholds (消薄) and responsibility letters.
- Community funds (社区经费) on the ledger primitive, in fen: never negative.

Every amount is yuan with two decimals (``Money``: ``DecimalField``), except the fund ledger which counts
whole fen as every ledger counts whole units.
"""
from .register import *  # noqa: F401,F403
from .confirmation import *  # noqa: F401,F403
from .transactions import *  # noqa: F401,F403
from .enterprises import *  # noqa: F401,F403
from .finance import *  # noqa: F401,F403
