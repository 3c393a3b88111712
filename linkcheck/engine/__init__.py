"""The check engine: each link's plan, the fetch stage, judging each answer."""
