"""One person, one record: scoring how likely two person records are the same resident.

records.py prepares a record's keys, comparisons.py gives each field's agreement level,
model.py weighs the levels and explains a score, training.py learns the weights from the data
(EM, no labels), blocking.py picks which pairs to compare, batch.py and cli.py link CSV files.
online.py matches one incoming person against the customers; operations.py queues possible
matches for review (models.py) and records a supervisor's decision.
"""
