"""gRPC servicers (thin: translate and delegate)."""
