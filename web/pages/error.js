// What the hub serves for an address it cannot serve (an unknown event): the reason is
// the body's data-error, written by the hub.
import { startStaticPage } from '../lib/app.js';
import { drawFailure } from '../lib/failure.js';

startStaticPage(() => drawFailure(document.body.dataset.error || 'generic'));
