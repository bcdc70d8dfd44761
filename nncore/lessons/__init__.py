"""The numbers behind the week's lesson pages, one module per page.

    activations   Keras' activation curves and slopes, the lecture's advice, the ReLU lab
    softmax       softmax three ways, round-off, float32 overflow, the loss three ways
    losses        label formats and mismatches, the 0-or-1 network, multi-label scenes
    derivatives   (J(w + e) - J(w)) / e beside sympy's exact derivative (expr: the safe parser)
    backprop      computation graphs, forward and backward step by step (network_cost: N + P)
    optimizers    a race of optimizers from identical weights (optimizer_paths: contours, steps by hand)
    layers        a conv unit's window, filter and feature map; the lecture's EKG network (layers_experiment:
                  dense vs conv at several training-set sizes, measured)

A lesson that trains hands back TrainingJobs of the registry's lesson presets (the page runs
them beside itself) and reads its results from their snapshots into frozen dataclasses.

Every number a lesson page shows comes from here, computed by real NumPy, TensorFlow and
Keras. TensorFlow loads only when a function needs it, so importing these stays light.
"""
