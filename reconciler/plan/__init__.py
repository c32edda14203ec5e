"""Step 2, the plan (pure: no network, no disk): live records of each kind (`live`), matched to
the resolved documents of their kind (`matching`), diffed field by field (`diff`), gathered into
a frozen `Plan` (`build.build_plan`); and the plan that undoes an apply journal (`rollback`)."""
