"""Step 2, the plan (pure: no network, no disk): live records (`live`), matched to desired
assistants (`matching`), diffed field by field (`diff`), gathered into a frozen `Plan`
(`build.build_plan`)."""
