export * from './event-recorder.js';
