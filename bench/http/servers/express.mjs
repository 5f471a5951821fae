import express from 'express';

const app = express();
app.get('/', (_req, res) => res.json({ hello: 'world' }));
app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));
app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('READY'));
