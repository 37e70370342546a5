"""The composition root and entry points: the command line, the server assembly (API + jobs), the
demo, terminal rendering. The only package that imports api, agent and lab together."""
