from parovoz_upload.cli import main

raise SystemExit(main())
