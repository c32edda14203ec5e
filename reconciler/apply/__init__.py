"""Step 3, apply: executing a plan's changes (`applier`), checking a saved plan is not stale
(`saved`), and the journal each apply writes (`journal`; reconciler/plan/rollback.py undoes it)."""
