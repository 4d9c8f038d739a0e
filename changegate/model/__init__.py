"""The data every stage shares, in five modules by what it describes:

- `gate`: the gate as loaded — config, dependency map, policies, and where each came from;
- `change`: the change under review — its manifest and the evidence gathered about it;
- `decision`: what the core derives — impact, requirements, findings, the `Decision`;
- `ownership`: who claims a path, and what the map leaves uncovered (SPEC §9);
- `schedule`: freeze windows (`match.during`) and the freezes open at check time (SPEC §10);
- `record`: merged changes as recorded in git notes, for the board and `pir-overdue` (SPEC §11).

Everything here is plain data (frozen where practical). Loaders build these from files,
the pure core turns them into a `Decision`, and reporters render that `Decision`. Nothing
in this package does I/O. `from changegate import model` then `model.X` is the API: this
module holds every public name of the five (each module's `__all__`).
"""

from changegate.model import change, decision, gate, ownership, record, schedule
from changegate.model.change import *  # noqa: F403
from changegate.model.decision import *  # noqa: F403
from changegate.model.gate import *  # noqa: F403
from changegate.model.ownership import *  # noqa: F403
from changegate.model.record import *  # noqa: F403
from changegate.model.schedule import *  # noqa: F403

__all__ = [*gate.__all__, *change.__all__, *decision.__all__, *ownership.__all__, *schedule.__all__,
           *record.__all__]
