#!/usr/bin/env node
import { createExampleApp } from './example-stack';

createExampleApp().app.synth();
