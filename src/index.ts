import { run } from './action/action-main.js'

void run()
