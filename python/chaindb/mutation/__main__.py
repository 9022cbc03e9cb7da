import sys

from chaindb.mutation.run import main

sys.exit(main())
