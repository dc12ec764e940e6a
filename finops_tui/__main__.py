from finops_tui.cli import main

raise SystemExit(main())
