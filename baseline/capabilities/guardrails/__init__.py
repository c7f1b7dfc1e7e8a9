"""Account guardrails: settings with no organization API, through one StackSet."""
