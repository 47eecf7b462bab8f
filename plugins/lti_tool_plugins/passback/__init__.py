"""Built-in grade passback plugins: LTI AGS, and a CSV export for platforms without AGS."""
