import sys

from aegui.cli import main

sys.exit(main())
