#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';

const app = new cdk.App();
new cdk.Stack(app, 'SecurityIrCaseWatcherStack');
app.synth();
