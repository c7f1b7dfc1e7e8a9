"""Security Hub: standards, controls, cross-region aggregation and central configuration."""
