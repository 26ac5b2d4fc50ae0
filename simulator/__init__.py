"""The SimPy world patterns run in: simulated ERP, workload, metrics, scenarios and runs."""
