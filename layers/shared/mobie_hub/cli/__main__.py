"""``python -m mobie_hub.cli``: the same as the ``mobie-hub`` command."""

import sys

from mobie_hub.cli.main import main

sys.exit(main())
