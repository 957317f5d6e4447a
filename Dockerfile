FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY domain domain
COPY api api
COPY projections projections
COPY tenants tenants
RUN pip install --no-cache-dir -c constraints.txt .
EXPOSE 8000
CMD ["gongjian", "serve", "--host", "0.0.0.0", "--port", "8000"]
