"""Inference: a drawing or a photo to 28x28 (preprocess), trained models on disk (predictor),
and the multi-label head the Draw page asks (multilabel)."""
