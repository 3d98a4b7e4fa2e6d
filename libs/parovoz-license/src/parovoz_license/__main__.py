from parovoz_license.cli import main

raise SystemExit(main())
