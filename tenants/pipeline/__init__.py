"""The one path every command takes, and the policy that decides who may send it."""
