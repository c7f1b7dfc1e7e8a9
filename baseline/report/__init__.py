"""`baseline report`: the controls of compliance frameworks, each with its status and evidence.

`mapping` reads the compliance table of the policy pack (`policies/frameworks.py`), `evidence`
gathers what supports each policy and audit check (an offline preview, or an audit's JSON),
`model` combines both per control, `render` writes Markdown or HTML, `command` is the CLI.
"""
