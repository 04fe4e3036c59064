"""LocalRec's SASRec model and trainer in PyTorch: writes the same model folder as `npm run pretrain`."""
