import sys

from chaindb.codegen.generate import main

sys.exit(main())
