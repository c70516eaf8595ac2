import { renderErrorDocs } from '../src/core/error-docs.ts';

process.stdout.write(renderErrorDocs());
