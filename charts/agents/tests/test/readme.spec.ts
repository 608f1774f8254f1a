import { readChartFile } from '../src/chart.js';
import { envTable, renderChartYaml, renderReadme, valuesTable } from '../scripts/generate.js';
import { valuesSchema } from '../src/schema.js';

describe('generated files (hack/chart-gen; on failure run it and commit the result)', () => {
  it('has README.md as generated from the current values, schema and env mapping', () => {
    expect(readChartFile('README.md')).toBe(renderReadme());
  });

  it('has the Artifact Hub CRD annotations of Chart.yaml as generated from crds/ and examples/', () => {
    expect(readChartFile('Chart.yaml')).toBe(renderChartYaml());
  });
});

describe('README.md', () => {
  it('has a values row for a documented leaf, with its schema type and default', () => {
    expect(valuesTable(readChartFile('values.yaml'), valuesSchema())).toContain(
      '| `grpc.serviceType` | string ("ClusterIP") | `"ClusterIP"` | Type of the gRPC Service (in-cluster access only). |',
    );
  });

  it('prints a computed default from `# @default --` instead of the literal', () => {
    expect(valuesTable(readChartFile('values.yaml'), valuesSchema())).toMatch(
      /\| `controlPlane\.image\.tag` \| string \| `\.Chart\.AppVersion` \|/,
    );
  });

  it('lists each env mapping row with its components', () => {
    expect(envTable(readChartFile('tests/env-mapping.yaml'))).toContain(
      '| `JANGAR_GRPC_ENABLED` | `grpc.enabled (grpc.manageEnvVar)` | control-plane, controllers |',
    );
  });
});
