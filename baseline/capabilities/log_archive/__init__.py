"""The log archive: the bucket and key the trail, Config, GuardDuty and Macie deliver to."""
