"""The synthetic world the demo, the tests and the benchmark run on: the generator of province
exports, portal data and their independent truth (`cchc_world.generate`), and the simulator of the
National Public Service Portal's API with injectable faults (`cchc_world.portal_sim`).

A separate package so that the production image, which installs only `cchc`, carries neither.
"""
