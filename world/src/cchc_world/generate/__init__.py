"""The synthetic world: one seed -> provinces, units, procedures, dossier lives, Source A exports,
portal data, Biểu 06 reports, field mess, the delivery log, and the truth behind them.

Entry points:
- `cchc_world.generate.generator.generate(Config(out=…, seed=…, dossiers=…))` (CLI: `cchc generate`)
- `cchc_world.generate.deliveries.deliver(world_dir, up_to)` / `deliver_all(world_dir)`: files into landing
- `cchc_world.generate.truth.load / monthly / mess / personal_values`: what the generator intended
"""
