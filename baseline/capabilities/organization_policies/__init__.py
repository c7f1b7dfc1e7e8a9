"""Organization policies: service and resource control policies, from a catalogue of guardrails."""
