FROM python:3.11-slim
WORKDIR /app
# The CJK font embedded in official documents (docs/documents.md).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md constraints.txt ./
COPY domain domain
COPY api api
COPY projections projections
COPY tenants tenants
RUN pip install --no-cache-dir -c constraints.txt .
EXPOSE 8000
CMD ["gongjian", "serve", "--host", "0.0.0.0", "--port", "8000"]
