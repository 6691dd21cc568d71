"""Village leadership and the rules that cut the burden on villages (班子队伍与基层减负).

- Two-committee teams by election term (两委班子): the members, their posts, age and education at
  election, the pledges made, and the adjustments within a term.
- Selections and honours (评选表彰): one flow for any selection — nominate → review → publicity on
  the notice board → award — and commendations received (锦旗、感谢信).
- The four duty lists per level (四张清单), versioned, with the negative list enforced when a task
  or a report is pushed down to a village or community; approvals that let one through, and the
  refusals it made.
"""
from .duties import *  # noqa: F401,F403
from .honours import *  # noqa: F401,F403
from .teams import *  # noqa: F401,F403
from .records import *  # noqa: F401,F403
from .rules import *  # noqa: F401,F403
from .certificates import *  # noqa: F401,F403
