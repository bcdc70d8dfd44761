"""Training: a job runs the loop beside the page; the recorder alone writes its snapshots.

    job.py       TrainingJob: the worker thread, stop, start_together (a lesson's group)
    queue.py     the server's training queue: slots first come first served, places, estimates
    live.py      live runs by run id: a page reattaches to one; saved to the run store as they go
    pool.py      compiled networks lent to one job at a time; the traced loop over train_step
    recorder.py  what a training writes down: the one writer of Snapshots
    probes.py    what the recorder looks at while it trains: decision boundaries, the digits' plane
"""
