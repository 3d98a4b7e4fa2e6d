"""Subscriptions: the lifecycle (create, cancel at period end, resume, change plan) and its state
machine (PRODUCT.md "Subscription")."""
