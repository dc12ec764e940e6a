from finops_tui.entry import main

raise SystemExit(main())
